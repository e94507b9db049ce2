package io.nexussync.core.plan;

import java.util.List;

/** A mapping that cannot be used; carries every problem found, each naming the place and the fix. */
public final class MappingException extends RuntimeException {
    private final List<String> problems;

    public MappingException(String source, List<String> problems) {
        super("mapping " + source + " has " + problems.size() + " problem(s):\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
