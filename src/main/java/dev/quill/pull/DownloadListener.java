package dev.quill.pull;

/**
 * Hears how a download goes. Called on the downloading thread; {@link #progressed} is called for
 * every chunk received, so an implementation that draws must throttle itself.
 */
public interface DownloadListener {
    DownloadListener NONE = new DownloadListener() {
    };

    /** A remark for the user: resuming, starting over, no checksum published, and so on. */
    default void note(String message) {
    }

    /**
     * The body starts arriving.
     *
     * @param alreadyDownloaded bytes kept from an earlier, interrupted download
     * @param totalBytes the file's size, or -1 when the server does not say
     */
    default void started(long alreadyDownloaded, long totalBytes) {
    }

    /** {@code downloadedBytes} of the file are on disk, counting resumed bytes; total -1 when unknown. */
    default void progressed(long downloadedBytes, long totalBytes) {
    }

    /** The body has been received in full (verification follows), or the attempt stopped early. */
    default void stopped(long downloadedBytes, long totalBytes) {
    }
}
