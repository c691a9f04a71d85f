package io.smarttag.hub.setup;

/** How secrets look in what setup prints: never the value, at most its length. */
public final class Masks {

    private Masks() {
    }

    public static String secret(String value) {
        return value == null ? "(none)" : "****(" + value.length() + " characters)";
    }

    /** The first four characters (LTAI for an Alibaba Cloud AccessKey), enough to tell two keys apart. */
    public static String accessKeyId(String id) {
        return id == null ? "(none)" : id.substring(0, Math.min(4, id.length())) + "****";
    }
}
