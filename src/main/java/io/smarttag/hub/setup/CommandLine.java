package io.smarttag.hub.setup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of a command: {@code --name value} pairs and {@code --flag}s, nothing positional
 * after the command words. An unknown option is an error naming it, so a typo never goes unnoticed.
 */
public final class CommandLine {

    private final Map<String, String> values = new LinkedHashMap<>();

    private CommandLine() {
    }

    /** Parses args against the options that take a value and the flags; throws UsageException with one line. */
    public static CommandLine parse(List<String> args, Set<String> valued, Set<String> flags) {
        CommandLine line = new CommandLine();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg.startsWith("--") ? arg.substring(2) : null;
            String inline = null;
            if (name != null && name.contains("=")) {
                inline = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            }
            if (name != null && flags.contains(name) && inline == null) {
                line.values.put(name, "true");
            } else if (name != null && valued.contains(name)) {
                if (inline == null && i + 1 >= args.size()) {
                    throw new UsageException("--" + name + " needs a value");
                }
                line.values.put(name, inline != null ? inline : args.get(++i));
            } else {
                throw new UsageException("unknown option '" + arg + "'");
            }
        }
        return line;
    }

    public String get(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    public String get(String name, String fallback) {
        String value = get(name);
        return value == null ? fallback : value;
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    public long number(String name, long fallback) {
        String value = get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, not '" + value + "'");
        }
    }

    /** A mistake in how a command was called: one line for the user, exit code 2. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }
}
