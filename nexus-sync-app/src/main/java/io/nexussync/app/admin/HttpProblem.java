package io.nexussync.app.admin;

/** A request the admin API refuses, with the status and the message the caller gets as they are. */
final class HttpProblem extends RuntimeException {
    private final int status;

    HttpProblem(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
