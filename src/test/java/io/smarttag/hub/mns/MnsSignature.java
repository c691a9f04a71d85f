package io.smarttag.hub.mns;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MNS V2 request signature (HMAC-SHA1 over verb, Content-MD5, Content-Type, Date, the sorted
 * x-mns-* headers and the resource with its query as sent). The SDK signs requests itself; this
 * is what the MNS-protocol test server uses to check every request the way MNS does.
 */
public final class MnsSignature {

    private MnsSignature() {
    }

    public static String stringToSign(String verb, String contentMd5, String contentType, String date,
                                      Map<String, String> headers, String resource) {
        TreeMap<String, String> mnsHeaders = new TreeMap<>();
        headers.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-mns-")) {
                mnsHeaders.put(lower, value);
            }
        });
        StringBuilder text = new StringBuilder()
                .append(verb).append('\n')
                .append(contentMd5 == null ? "" : contentMd5).append('\n')
                .append(contentType == null ? "" : contentType).append('\n')
                .append(date == null ? "" : date).append('\n');
        mnsHeaders.forEach((name, value) -> text.append(name).append(':').append(value).append('\n'));
        return text.append(resource).toString();
    }

    public static String sign(String secret, String stringToSign) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
