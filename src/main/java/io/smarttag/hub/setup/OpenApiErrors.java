package io.smarttag.hub.setup;

import java.util.Locale;

/**
 * Turns an error of VOD's OpenAPI or of MNS into one line: the action, the service's own code
 * and request id, and what to do about it. Messages from the service are shown only where no
 * advice of ours fits; none of them carries a secret (VOD's SignatureDoesNotMatch message holds
 * at most the string it signed).
 */
public final class OpenApiErrors {

    private OpenApiErrors() {
    }

    public static String line(String service, String action, String code, String requestId, String message) {
        String advice = advice(code == null ? "" : code);
        StringBuilder line = new StringBuilder(service).append(' ').append(action).append(" failed: ")
                .append(code == null || code.isBlank() ? "no error code" : code);
        if (requestId != null && !requestId.isBlank()) {
            line.append(" (RequestId ").append(requestId).append(')');
        }
        line.append(": ").append(advice != null ? advice : oneLine(message));
        return line.toString();
    }

    static String advice(String code) {
        String lower = code.toLowerCase(Locale.ROOT);
        if (lower.startsWith("signaturedoesnotmatch") || lower.startsWith("incompletesignature")) {
            return "the AccessKey secret does not match the AccessKey id; check ALIBABA_CLOUD_ACCESS_KEY_SECRET";
        }
        if (lower.startsWith("invalidaccesskeyid")) {
            return "the AccessKey id is unknown or disabled; check ALIBABA_CLOUD_ACCESS_KEY_ID";
        }
        if (lower.startsWith("invalidsecuritytoken") || lower.startsWith("securitytokenexpired")) {
            return "the STS token is invalid or expired; renew ALIBABA_CLOUD_SECURITY_TOKEN (or unset it for a long-term AccessKey)";
        }
        if (lower.startsWith("forbidden") || lower.startsWith("accessdenied") || lower.startsWith("nopermission")) {
            return "the AccessKey's RAM user lacks permission; grant vod:GetMessageCallback and vod:SetMessageCallback"
                    + " (and mns:CreateQueue for --mns-queue), e.g. the policies AliyunVODFullAccess and AliyunMNSFullAccess";
        }
        if (lower.startsWith("throttling") || lower.startsWith("qpslimitexceeded")) {
            return "the service is throttling calls (VOD takes 15 a second); wait a minute and run setup again";
        }
        if (lower.startsWith("sdk.serverunreachable") || lower.startsWith("sdk.invalidendpoint")
                || lower.startsWith("sdk.endpointresolvingerror")) {
            return "the OpenAPI endpoint cannot be reached; check --region (or --endpoint) and the network";
        }
        if (lower.startsWith("sdk.readtimeout")) {
            return "the OpenAPI endpoint did not answer in time; run setup again";
        }
        return null;
    }

    private static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "no message";
        }
        String text = message.replaceAll("\\s+", " ").trim();
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
