package io.lkfleet.token.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.lkfleet.token.TokenRequest;
import io.lkfleet.token.rest.Problem;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a token request strictly, so a body means one thing only: no unknown fields (a typo or a
 * probe is refused, not ignored), no field twice (neither {@code room_name} twice nor beside its
 * alias {@code roomName}), and no type coerced into another ({@code "60"} is not 60, {@code 60.5} not
 * an int, {@code 7} not a string). Each refusal is a 400 with its own problem type and the field.
 */
public final class TokenRequestReader {
    private static final JsonMapper STRICT = strictMapper();
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']*)'");
    /** For each object of a request, the alias sets: names of which at most one may appear. */
    private static final Map<Class<?>, List<List<String>>> ALIASES = Map.of(
            TokenRequest.class, aliases(TokenRequest.class),
            TokenRequest.RoomConfig.class, aliases(TokenRequest.RoomConfig.class));

    private TokenRequestReader() {
    }

    public static TokenRequest read(byte[] body) {
        if (body == null || body.length == 0) {
            throw new Problem(Response.Status.BAD_REQUEST, "missing-body", "a JSON token request is required");
        }
        JsonNode tree;
        try {
            tree = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            Matcher duplicate = DUPLICATE.matcher(e.getOriginalMessage());
            if (duplicate.find()) {
                throw duplicate(duplicate.group(1));
            }
            throw malformed(e);
        } catch (IOException e) {
            throw malformed(null);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new Problem(Response.Status.BAD_REQUEST, "missing-body", "a JSON token request is required");
        }
        if (!tree.isObject()) {
            throw wrongType("(body)", "the request must be a JSON object");
        }
        rejectAliasTwins(tree, ALIASES.get(TokenRequest.class), "");
        if (tree.path("room_config").isObject()) {
            rejectAliasTwins(tree.get("room_config"), ALIASES.get(TokenRequest.RoomConfig.class), "room_config.");
        } else if (tree.path("roomConfig").isObject()) {
            rejectAliasTwins(tree.get("roomConfig"), ALIASES.get(TokenRequest.RoomConfig.class), "room_config.");
        }
        try {
            return STRICT.treeToValue(tree, TokenRequest.class);
        } catch (UnrecognizedPropertyException e) {
            throw Problem.of(Response.Status.BAD_REQUEST, "unknown-field", path(e),
                    "'" + printable(path(e)) + "' is not a field of a token request");
        } catch (MismatchedInputException e) {
            throw wrongType(path(e), "'" + printable(path(e)) + "' has the wrong type");
        } catch (JsonProcessingException e) {
            throw malformed(e);
        }
    }

    /** Plain loops: every token request passes here, and a stream per alias set cost more than the parse. */
    private static void rejectAliasTwins(JsonNode object, List<List<String>> aliasSets, String prefix) {
        for (List<String> names : aliasSets) {
            int present = 0;
            for (String name : names) {
                if (object.has(name) && ++present > 1) {
                    throw duplicate(prefix + names.get(0));
                }
            }
        }
    }

    private static List<List<String>> aliases(Class<?> type) {
        JavaType javaType = STRICT.constructType(type);
        return STRICT.getDeserializationConfig().introspect(javaType).findProperties().stream()
                .map(TokenRequestReader::names)
                .filter(names -> names.size() > 1)
                .toList();
    }

    private static List<String> names(BeanPropertyDefinition property) {
        List<String> names = new ArrayList<>();
        names.add(property.getName());
        property.findAliases().forEach(alias -> names.add(alias.getSimpleName()));
        return List.copyOf(names);
    }

    private static String path(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        return path.isEmpty() ? "(body)" : path;
    }

    private static Problem duplicate(String field) {
        return Problem.of(Response.Status.BAD_REQUEST, "duplicate-field", field,
                "'" + printable(field) + "' appears more than once (under its name or an alias)");
    }

    private static Problem wrongType(String field, String detail) {
        return Problem.of(Response.Status.BAD_REQUEST, "wrong-type", field, detail);
    }

    /** Unparseable JSON: where, never the body itself. */
    private static Problem malformed(JsonProcessingException e) {
        String where = e == null || e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return new Problem(Response.Status.BAD_REQUEST, "malformed-json", "the request body is not valid JSON" + where);
    }

    private static String printable(String value) {
        String ascii = value.replaceAll("[^\\x20-\\x7e]", "?");
        return ascii.length() > 40 ? ascii.substring(0, 40) + "..." : ascii;
    }

    private static JsonMapper strictMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        // a value of one JSON type is never read as another
        fail(mapper, LogicalType.Textual, CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean);
        fail(mapper, LogicalType.Integer, CoercionInputShape.String, CoercionInputShape.EmptyString,
                CoercionInputShape.Float, CoercionInputShape.Boolean);
        fail(mapper, LogicalType.Boolean, CoercionInputShape.String, CoercionInputShape.EmptyString,
                CoercionInputShape.Integer, CoercionInputShape.Float);
        return mapper;
    }

    private static void fail(JsonMapper mapper, LogicalType target, CoercionInputShape... from) {
        for (CoercionInputShape shape : from) {
            mapper.coercionConfigFor(target).setCoercion(shape, CoercionAction.Fail);
        }
    }
}
