package io.smarttag.hub.setup;

import java.util.Map;

/**
 * The AccessKey setup calls VOD and MNS with, from the standard Alibaba Cloud environment
 * variables (the ones the Alibaba Cloud CLI and SDKs read): ALIBABA_CLOUD_ACCESS_KEY_ID,
 * ALIBABA_CLOUD_ACCESS_KEY_SECRET and, for temporary STS credentials, ALIBABA_CLOUD_SECURITY_TOKEN.
 * toString never shows the secret.
 */
public record Credentials(String accessKeyId, String accessKeySecret, String securityToken) {

    public static final String ID = "ALIBABA_CLOUD_ACCESS_KEY_ID";
    public static final String SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
    public static final String TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN";

    public static Credentials fromEnvironment(Map<String, String> env) throws SetupException {
        String id = blankToNull(env.get(ID));
        String secret = blankToNull(env.get(SECRET));
        if (id == null || secret == null) {
            throw new SetupException("set " + (id == null ? ID : SECRET)
                    + " (the AccessKey of a RAM user allowed to call vod:GetMessageCallback and vod:SetMessageCallback)");
        }
        return new Credentials(id, secret, blankToNull(env.get(TOKEN)));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    @Override
    public String toString() {
        return "Credentials[" + Masks.accessKeyId(accessKeyId) + "]";
    }
}
