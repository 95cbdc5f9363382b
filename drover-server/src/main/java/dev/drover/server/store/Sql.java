package dev.drover.server.store;

import java.util.LinkedHashMap;
import java.util.Map;

/** A fragment of SQL with its named parameters, for queries assembled from optional parts. */
public record Sql(String text, Map<String, Object> params) {

    /** Accumulates text and parameters; each {@link #param} gets a fresh name. */
    public static final class Builder {
        private final StringBuilder text = new StringBuilder();
        private final Map<String, Object> params = new LinkedHashMap<>();
        private final String prefix;

        public Builder(String prefix) {
            this.prefix = prefix;
        }

        public Builder append(String sql) {
            text.append(sql);
            return this;
        }

        /** Binds {@code value} and returns its placeholder, e.g. {@code :f3}. */
        public String param(Object value) {
            String name = prefix + params.size();
            params.put(name, value);
            return ":" + name;
        }

        public Builder appendAll(Sql other) {
            text.append(other.text());
            params.putAll(other.params());
            return this;
        }

        public Sql build() {
            return new Sql(text.toString(), Map.copyOf(params));
        }
    }
}
