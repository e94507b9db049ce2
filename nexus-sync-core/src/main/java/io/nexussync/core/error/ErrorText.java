package io.nexussync.core.error;

/**
 * An error's words in two forms. {@code full} is for the service log and the local CLI: it may hold a server's
 * own text (PostgreSQL's and Neo4j's messages can quote a row's values: {@code invalid input syntax for type
 * integer: "..."}, {@code Key (id)=(...) already exists}) and a row's key and values, which is what an operator
 * needs to find the row. {@code shown} is for anyone who reaches the admin API's open endpoints ({@code /status},
 * {@code /health}): only our words (what failed, what to do) with the server's SQLState or status code, naming
 * tables, columns and types but never a value.
 */
public record ErrorText(String full, String shown) {
    public ErrorText {
        if (full == null || shown == null) {
            throw new IllegalArgumentException("both forms of an error's words are needed");
        }
    }

    /** Words that are all ours (no server text, no row value): the same in both forms. */
    public static ErrorText ours(String words) {
        // A null message (an exception built without one) reads as before: "null".
        String text = String.valueOf(words);
        return new ErrorText(text, text);
    }

    /** Our words, followed in the full form only by {@code detail}: the server's text, or what names the row. */
    public static ErrorText withDetail(String ours, String detail) {
        String text = String.valueOf(ours);
        return new ErrorText(detail == null || detail.isEmpty() ? text : text + ": " + detail, text);
    }

    /**
     * The words of any failure: a {@link SyncException}'s two forms; of anything else (a driver's or a library's
     * exception, whose message we did not write) only its kind is shown.
     */
    public static ErrorText of(Throwable failure) {
        if (failure instanceof SyncException sync) {
            return sync.text();
        }
        return new ErrorText(String.valueOf(failure.getMessage()),
                "an unexpected " + failure.getClass().getSimpleName() + " (the service log has its message)");
    }

    /** Both forms after {@code words} (ours). */
    public ErrorText after(String words) {
        return new ErrorText(words + full, words + shown);
    }

    /** Both forms followed by {@code words} (ours). */
    public ErrorText then(String words) {
        return new ErrorText(full + words, shown + words);
    }
}
