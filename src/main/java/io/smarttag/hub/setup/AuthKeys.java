package io.smarttag.hub.setup;

import java.security.SecureRandom;

/**
 * VOD's rules for a callback AuthKey (SetMessageCallback): at most 32 characters, with upper case
 * letters, lower case letters and digits all present. We also keep to letters and digits only:
 * VOD does not say which other characters it takes, and the key goes into an MD5 input and an
 * environment variable, where anything else only causes trouble.
 */
public final class AuthKeys {

    public static final int MAX_LENGTH = 32;
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String DIGITS = "0123456789";
    private static final String ALL = UPPER + LOWER + DIGITS;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AuthKeys() {
    }

    /** A new 32-character key from a SecureRandom (about 190 bits), meeting the rules. */
    public static String generate() {
        while (true) {
            StringBuilder key = new StringBuilder(MAX_LENGTH);
            for (int i = 0; i < MAX_LENGTH; i++) {
                key.append(ALL.charAt(RANDOM.nextInt(ALL.length())));
            }
            if (problem(key.toString()) == null) {
                return key.toString();
            }
        }
    }

    /** Why the key breaks VOD's rules, or null when it keeps them. Never echoes the key. */
    public static String problem(String key) {
        if (key == null || key.isEmpty()) {
            return "the AuthKey is empty";
        }
        if (key.length() > MAX_LENGTH) {
            return "the AuthKey has " + key.length() + " characters; VOD takes at most " + MAX_LENGTH;
        }
        boolean upper = false;
        boolean lower = false;
        boolean digit = false;
        for (char c : key.toCharArray()) {
            if (UPPER.indexOf(c) >= 0) {
                upper = true;
            } else if (LOWER.indexOf(c) >= 0) {
                lower = true;
            } else if (DIGITS.indexOf(c) >= 0) {
                digit = true;
            } else {
                return "the AuthKey may hold only letters A-Z, a-z and digits 0-9";
            }
        }
        if (!upper || !lower || !digit) {
            return "the AuthKey must mix upper case letters, lower case letters and digits";
        }
        return null;
    }
}
