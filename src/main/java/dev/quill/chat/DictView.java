package dev.quill.chat;

import java.util.List;

/**
 * {@code dict.items()}, {@code keys()} or {@code values()}: iterable any number of times and
 * sized, but not indexable or JSON-serializable, and printed as {@code dict_items([...])}.
 */
record DictView(String typeName, List<Object> items) {
}
