package dev.drover.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.api.Json;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import org.junit.jupiter.api.Test;

/** MCP tool schemas as langchain4j schemas. */
class JsonSchemasTest {

    @Test
    void aTypicalToolSchemaKeepsItsPropertiesRequiredListDescriptionsAndDefinitions() throws Exception {
        JsonObjectSchema s = JsonSchemas.objectSchema(Json.mapper().readTree("""
                {"type": "object", "description": "create an issue",
                 "properties": {
                   "title": {"type": "string", "description": "the title"},
                   "labels": {"type": "array", "items": {"type": "string"}},
                   "priority": {"enum": ["low", "high"]},
                   "estimate": {"type": ["integer", "null"]},
                   "assignee": {"$ref": "#/$defs/user"},
                   "due": {"anyOf": [{"type": "string"}, {"type": "null"}]}},
                 "required": ["title"], "additionalProperties": false,
                 "$defs": {"user": {"type": "object", "properties": {"login": {"type": "string"}}}}}"""));
        assertThat(s.description()).isEqualTo("create an issue");
        assertThat(s.required()).containsExactly("title");
        assertThat(s.additionalProperties()).isFalse();
        assertThat(s.properties().get("title")).isInstanceOf(JsonStringSchema.class);
        assertThat(((JsonStringSchema) s.properties().get("title")).description()).isEqualTo("the title");
        assertThat(((JsonArraySchema) s.properties().get("labels")).items()).isInstanceOf(JsonStringSchema.class);
        assertThat(((JsonEnumSchema) s.properties().get("priority")).enumValues()).containsExactly("low", "high");
        assertThat(s.properties().get("estimate")).isInstanceOf(JsonIntegerSchema.class);
        assertThat(((JsonReferenceSchema) s.properties().get("assignee")).reference()).isEqualTo("user");
        assertThat(((JsonAnyOfSchema) s.properties().get("due")).anyOf()).hasSize(2);
        assertThat(((JsonObjectSchema) s.definitions().get("user")).properties()).containsKey("login");
    }

    @Test
    void aToolWithoutASchemaTakesNoParameters() {
        assertThat(JsonSchemas.objectSchema(null).properties()).isEmpty();
        assertThat(McpTools.exposedName("git hub", "create.issue")).isEqualTo("mcp__git_hub__create_issue");
        assertThat(McpTools.exposedName("s".repeat(50), "t".repeat(50))).hasSize(McpTools.MAX_NAME);
    }
}
