package dev.quill.cli;

/** A command line the user got wrong; printed with the command's usage, exit status 2. */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
