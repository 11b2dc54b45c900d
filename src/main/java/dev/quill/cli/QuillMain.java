package dev.quill.cli;

import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The jar's entry point. {@code quill serve} boots Quarkus; every other command runs the plain
 * command line without starting a server.
 */
@QuarkusMain
public final class QuillMain {
    QuillMain() {
    }

    public static void main(String[] args) {
        Quill.main(args);
    }
}
