package dev.quill.pull;

import java.io.IOException;

/** A download that failed, with a message meant for the user and the kind of failure. */
public final class DownloadException extends IOException {
    /** What went wrong; callers and tests branch on this rather than on message text. */
    public enum Reason {
        /** No connection at all: offline, DNS failure, connection refused, TLS failure, timeout. */
        UNREACHABLE,
        /** The connection broke or stalled mid-download; the partial file is kept for a resume. */
        INTERRUPTED,
        /** HTTP 401/403: a gated or private model, or a bad token. */
        ACCESS_DENIED,
        /** HTTP 404: no such repository, revision or file. */
        NOT_FOUND,
        /** HTTP 5xx or 429: the server's problem, worth retrying later. */
        SERVER_ERROR,
        /** Another HTTP status, or a response that breaks the protocol (bad redirect or range). */
        PROTOCOL,
        /** The file does not have the published SHA-256. */
        CHECKSUM_MISMATCH,
        /** The file does not have the announced size. */
        SIZE_MISMATCH,
        /** The server sent something that is not a GGUF file, such as an HTML page. */
        NOT_GGUF,
        /** The models directory cannot be created or written, or the disk is full. */
        STORAGE
    }

    private final Reason reason;

    public DownloadException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public DownloadException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
