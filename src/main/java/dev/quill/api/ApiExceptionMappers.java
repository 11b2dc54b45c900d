package dev.quill.api;

import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The one place failures become HTTP responses, all in OpenAI's error shape. */
public class ApiExceptionMappers {
    @ServerExceptionMapper(priority = 1)
    public RestResponse<ErrorBody> map(Throwable t) {
        return toResponse(ApiErrors.from(t));
    }

    public static RestResponse<ErrorBody> toResponse(ApiException e) {
        var builder = RestResponse.ResponseBuilder.<ErrorBody>create(e.status()).entity(e.body())
                .type(MediaType.APPLICATION_JSON_TYPE);
        e.headers().forEach(builder::header);
        return builder.build();
    }
}
