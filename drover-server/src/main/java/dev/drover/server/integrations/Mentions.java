package dev.drover.server.integrations;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a comment mentions Drover's handle: as a whole handle ({@code @drover}, not {@code @drover-bot} or
 * {@code me@drover.io}), in any case, and not where nobody means it — in code (fenced blocks, inline spans) or in a
 * quoted reply ({@code > @drover ...} repeats an earlier comment; it must not start a second run).
 */
final class Mentions {
    private static final Pattern FENCED = Pattern.compile("(?ms)^\\s*(```|~~~).*?(^\\s*\\1|\\z)");
    private static final Pattern INLINE = Pattern.compile("(`+)[^`]*?\\1");
    private static final Pattern QUOTED = Pattern.compile("(?m)^\\s*>.*$");

    private Mentions() {}

    static boolean mentions(String text, String handle) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        String plain = QUOTED.matcher(INLINE.matcher(FENCED.matcher(text).replaceAll(" ")).replaceAll(" "))
                .replaceAll(" ");
        Pattern whole = Pattern.compile("(?<![A-Za-z0-9_.@/-])" + Pattern.quote(handle.toLowerCase(Locale.ROOT))
                + "(?![A-Za-z0-9_-])(?!\\.[A-Za-z0-9])");
        return whole.matcher(plain.toLowerCase(Locale.ROOT)).find();
    }
}
