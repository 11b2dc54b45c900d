package dev.quill.chat;

/**
 * Jinja2's {@code Markup}: text marked safe by {@code |safe} or produced by {@code |escape}. It
 * prints like any string, but concatenating ({@code +}) or formatting ({@code %}) plain text
 * into it HTML-escapes that text, even with autoescape off, which some published templates
 * rely on (functionary v3.1 renders its tool list through {@code "..."|safe + name}).
 */
record Markup(String text) {
    static Markup escape(Object value) {
        return value instanceof Markup m ? m : new Markup(Filters.escape(PyRepr.str(value)));
    }
}
