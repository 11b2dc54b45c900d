package dev.quill.api;

import java.util.Map;

/**
 * A request the API refuses, with everything its OpenAI-shaped error response needs:
 * {@code {"error":{"message","type","param","code"}}} and the HTTP status.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Map<String, String> headers;
    private final Integer currentVersion;

    public ApiException(int status, String type, String param, String code, String message, Map<String, String> headers) {
        this(status, type, param, code, message, headers, null);
    }

    /** @param currentVersion for a 409 on a prompt edit: the version to edit from instead */
    public ApiException(int status, String type, String param, String code, String message, Map<String, String> headers,
            Integer currentVersion) {
        super(message);
        this.currentVersion = currentVersion;
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public ApiException(int status, String type, String param, String code, String message) {
        this(status, type, param, code, message, Map.of());
    }

    /** 400 for a bad value or a missing or ill-typed field; {@code param} names it. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "invalid_value", message);
    }

    /** 400 for a parameter Quill does not implement: refused, never silently ignored. */
    public static ApiException unsupported(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "unsupported_parameter", message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public ErrorBody body() {
        return new ErrorBody(new ErrorBody.Detail(getMessage(), type, param, code, currentVersion));
    }
}
