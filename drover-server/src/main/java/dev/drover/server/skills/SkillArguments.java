package dev.drover.server.skills;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The placeholders of a skill's instructions, filled from the run's prompt as Claude Code fills them:
 * {@code $ARGUMENTS} is the whole prompt, {@code $ARGUMENTS[N]} and {@code $N} its N-th argument (from 0; the
 * prompt split on blanks, quotes grouping words). A missing argument is empty.
 */
public final class SkillArguments {
    // at most 9 digits: a larger index is an argument no prompt has (and would overflow an int)
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$ARGUMENTS\\[(\\d{1,9})]|\\$ARGUMENTS|\\$(\\d{1,9})");
    /** The most the filled-in instructions may hold: a skill repeating $ARGUMENTS must not blow the server up. */
    public static final int MAX_CHARS = 1024 * 1024;

    private SkillArguments() {}

    /** The instructions with their placeholders filled, or null when they would exceed {@link #MAX_CHARS}. */
    public static String substitute(String instructions, String prompt) {
        String all = prompt == null ? "" : prompt.strip();
        List<String> args = split(all);
        Matcher m = PLACEHOLDER.matcher(instructions);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value;
            if (m.group(1) != null || m.group(2) != null) {
                int n = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
                value = n < args.size() ? args.get(n) : "";
            } else {
                value = all;
            }
            if (out.length() + value.length() > MAX_CHARS) {
                return null;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.length() > MAX_CHARS ? null : out.toString();
    }

    /** Whether the instructions use any placeholder (if not, the prompt reaches the agent only as its message). */
    public static boolean usesArguments(String instructions) {
        return PLACEHOLDER.matcher(instructions).find();
    }

    /** Splits on whitespace; single or double quotes group words and are removed. */
    static List<String> split(String s) {
        List<String> args = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inArg = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inArg = true;
            } else if (Character.isWhitespace(c)) {
                if (inArg) {
                    args.add(cur.toString());
                    cur.setLength(0);
                    inArg = false;
                }
            } else {
                cur.append(c);
                inArg = true;
            }
        }
        if (inArg) {
            args.add(cur.toString());
        }
        return args;
    }
}
