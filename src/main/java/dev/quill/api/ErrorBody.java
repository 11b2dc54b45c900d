package dev.quill.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** OpenAI's error shape: {@code {"error":{"message","type","param","code"}}}; param and code may be null. */
public record ErrorBody(Detail error) {
    /** {@code current_version} appears only on a prompt edit conflict (409), so OpenAI errors keep their shape. */
    public record Detail(String message, String type, String param, String code,
                         @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("current_version") Integer currentVersion) {
    }
}
