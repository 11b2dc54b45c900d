package dev.quill.chat;

/** Anything a template may call: macros, globals, methods of str/dict/list, loop helpers. */
@FunctionalInterface
interface TemplateCallable {
    Object call(Arguments args);
}
