package dev.quill.chat;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code namespace(...)}: the one mutable object templates get, so loops can carry state out. */
final class Namespace {
    final Map<String, Object> attributes = new LinkedHashMap<>();
}
