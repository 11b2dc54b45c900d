package dev.quill.pull;

import java.nio.file.Path;

/**
 * The outcome of a download.
 *
 * @param file where the model is
 * @param status whether it was downloaded now or already there
 * @param sizeBytes the file's size
 * @param sha256 the file's SHA-256 in lower-case hex; null when the file was already there (not read)
 * @param checksumVerified true when the server published a SHA-256 and the file matches it
 * @param resumedFromBytes bytes kept from an earlier, interrupted download (0 when none)
 */
public record DownloadResult(Path file, Status status, long sizeBytes, String sha256, boolean checksumVerified,
        long resumedFromBytes) {
    public enum Status {
        DOWNLOADED,
        ALREADY_PRESENT
    }
}
