package dev.quill.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code --name value}, {@code --name=value} and {@code --flag} options plus positional
 * arguments, against the options a command declares, so typos are reported instead of ignored.
 */
public final class CommandLine {
    private final String command;
    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    private CommandLine(String command) {
        this.command = command;
    }

    /**
     * @param valued options that take a value (may repeat)
     * @param flags options without a value
     */
    public static CommandLine parse(String command, String[] args, Set<String> valued, Set<String> flags) {
        CommandLine cl = new CommandLine(command);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--") && a.length() > 2) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (flags.contains(name)) {
                    if (value != null) {
                        throw new UsageException("option --" + name + " of '" + command + "' takes no value");
                    }
                    cl.values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
                } else if (valued.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException("option --" + name + " of '" + command + "' needs a value");
                        }
                        value = args[++i];
                    }
                    cl.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                } else {
                    List<String> known = new ArrayList<>(valued);
                    known.addAll(flags);
                    known.sort(null);
                    throw new UsageException("unknown option --" + name + " for '" + command + "'; options: --"
                            + String.join(", --", known));
                }
            } else {
                cl.positional.add(a);
            }
        }
        return cl;
    }

    public List<String> positional() {
        return positional;
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String string(String name, String defaultValue) {
        List<String> v = values.get(name);
        return v == null ? defaultValue : v.get(v.size() - 1);
    }

    public List<String> strings(String name) {
        return values.getOrDefault(name, List.of());
    }

    public String required(String name) {
        String v = string(name, null);
        if (v == null) {
            throw new UsageException("'" + command + "' needs --" + name);
        }
        return v;
    }

    public int integer(String name, int defaultValue) {
        String v = string(name, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    public Long longValue(String name) {
        String v = string(name, null);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    public float number(String name, float defaultValue) {
        String v = string(name, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            float f = Float.parseFloat(v.trim());
            if (!Float.isFinite(f)) {
                throw new NumberFormatException();
            }
            return f;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + v + "'");
        }
    }
}
