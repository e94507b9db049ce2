package io.nexussync.core.mapping;

import java.util.List;

/** A mapping that cannot be used; carries every problem found, each naming the place (file line) and the fix. */
public final class MappingException extends RuntimeException {
    private final List<MappingProblem> problems;

    public MappingException(String source, List<String> problems) {
        this(problems.stream().map(p -> new MappingProblem(0, p)).toList(), source);
    }

    public MappingException(List<MappingProblem> problems, String source) {
        super("mapping " + source + " has " + problems.size() + " problem(s):\n  - "
                + String.join("\n  - ", problems.stream().map(MappingProblem::toString).toList()));
        this.problems = List.copyOf(problems);
    }

    /** Each problem as text, with its line where it has one. */
    public List<String> problems() {
        return problems.stream().map(MappingProblem::toString).toList();
    }

    public List<MappingProblem> located() {
        return problems;
    }
}
