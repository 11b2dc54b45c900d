package dev.quill.chat;

/**
 * Jinja2's default {@code Undefined}: prints as "", iterates as empty, is falsy and equal only to
 * another undefined; any other use (arithmetic, attribute or item access, calling) fails with the
 * message describing why the value is missing.
 */
final class Undefined {
    private final String message;

    private Undefined(String message) {
        this.message = message;
    }

    static Undefined named(String name) {
        return new Undefined("'" + name + "' is undefined");
    }

    static Undefined missingAttribute(Object owner, String name) {
        return new Undefined("'" + PyOps.objectTypeName(owner) + "' has no attribute '" + name + "'");
    }

    static Undefined missingItem(Object owner, Object key) {
        if (key instanceof String s) {
            return missingAttribute(owner, s);
        }
        return new Undefined(PyOps.objectTypeName(owner) + " has no element " + PyRepr.repr(key));
    }

    /** Sandbox refusal: the value still prints as "" but any use fails, as in Jinja2's sandbox. */
    static Undefined unsafe(Object owner, String name) {
        return new Undefined("access to attribute '" + name + "' of '" + PyOps.typeName(owner) + "' object is unsafe.");
    }

    static Undefined because(String message) {
        return new Undefined(message);
    }

    TemplateException error() {
        return new TemplateException(message);
    }

    @Override
    public String toString() {
        return "";
    }
}
