package dev.quill.pull;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What is known about a {@code .part} file, kept beside it in {@code .part.meta} so a later run can
 * tell whether the partial file still belongs to the file on the server before appending to it.
 *
 * @param url the source URL the partial file came from
 * @param etag the strong ETag of the response that produced it, for {@code If-Range}; null if none
 * @param sha256 the SHA-256 the server published for the whole file; null if none
 * @param size the whole file's size, or -1 when unknown
 */
record PartialDownload(String url, String etag, String sha256, long size) {

    static Path metaFileFor(Path part) {
        return part.resolveSibling(part.getFileName() + ".meta");
    }

    /** The saved state, or null when there is none or it is unreadable (then resume without it). */
    static PartialDownload read(Path metaFile) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(metaFile, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        String url = p.getProperty("url");
        if (url == null) {
            return null;
        }
        long size;
        try {
            size = Long.parseLong(p.getProperty("size", "-1"));
        } catch (NumberFormatException e) {
            size = -1;
        }
        return new PartialDownload(url, p.getProperty("etag"), p.getProperty("sha256"), size);
    }

    void write(Path metaFile) throws IOException {
        Properties p = new Properties();
        p.setProperty("url", url);
        if (etag != null) {
            p.setProperty("etag", etag);
        }
        if (sha256 != null) {
            p.setProperty("sha256", sha256);
        }
        p.setProperty("size", Long.toString(size));
        try (Writer w = Files.newBufferedWriter(metaFile, StandardCharsets.UTF_8)) {
            p.store(w, "quill pull: state of the partial download beside this file");
        }
    }
}
