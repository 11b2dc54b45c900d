package dev.quill.api;

/** OpenAI's error shape: {@code {"error":{"message","type","param","code"}}}; param and code may be null. */
public record ErrorBody(Detail error) {
    public record Detail(String message, String type, String param, String code) {
    }
}
