package io.nexussync.kafka.debezium;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The settings of the Debezium PostgreSQL connector that decide how its events encode values. With schemas in the
 * events only the placeholder matters (the schema names each encoding); without schemas all four do, and they must
 * be the connector's own.
 *
 * @param unavailableValuePlaceholder the connector's {@code unavailable.value.placeholder}, as bytes (Debezium's
 *                                    {@code hex:} form decoded)
 */
public record DebeziumSettings(byte[] unavailableValuePlaceholder, TimePrecisionMode timePrecisionMode,
                               DecimalHandlingMode decimalHandlingMode, BinaryHandlingMode binaryHandlingMode) {

    /** Debezium's default {@code unavailable.value.placeholder}. */
    public static final String DEFAULT_PLACEHOLDER = "__debezium_unavailable_value";

    /** A setting's value as the connector's configuration spells it. */
    interface ConfigValue {
        String configValue();
    }

    /** {@code time.precision.mode}. */
    public enum TimePrecisionMode implements ConfigValue {
        ADAPTIVE("adaptive"), ADAPTIVE_TIME_MICROSECONDS("adaptive_time_microseconds"), CONNECT("connect");

        final String configValue;

        TimePrecisionMode(String configValue) {
            this.configValue = configValue;
        }

        @Override
        public String configValue() {
            return configValue;
        }
    }

    /**
     * {@code decimal.handling.mode}. {@code double} is not among them: it drops a numeric's scale ({@code 1.50}
     * arrives as {@code 1.5}), so the graph could not get the text the pgoutput path gives.
     */
    public enum DecimalHandlingMode implements ConfigValue {
        PRECISE("precise"), STRING("string");

        final String configValue;

        DecimalHandlingMode(String configValue) {
            this.configValue = configValue;
        }

        @Override
        public String configValue() {
            return configValue;
        }
    }

    /** {@code binary.handling.mode}: how a bytea value is written ({@code bytes} is base64 in JSON, as {@code base64}). */
    public enum BinaryHandlingMode implements ConfigValue {
        BYTES("bytes"), BASE64("base64"), BASE64_URL_SAFE("base64-url-safe"), HEX("hex");

        final String configValue;

        BinaryHandlingMode(String configValue) {
            this.configValue = configValue;
        }

        @Override
        public String configValue() {
            return configValue;
        }
    }

    public DebeziumSettings {
        Objects.requireNonNull(unavailableValuePlaceholder, "unavailableValuePlaceholder");
        Objects.requireNonNull(timePrecisionMode, "timePrecisionMode");
        Objects.requireNonNull(decimalHandlingMode, "decimalHandlingMode");
        Objects.requireNonNull(binaryHandlingMode, "binaryHandlingMode");
        if (unavailableValuePlaceholder.length == 0) {
            throw new DebeziumFormatException("unavailable.value.placeholder is empty: give the connector's placeholder "
                    + "(Debezium's default is " + DEFAULT_PLACEHOLDER + ")");
        }
        unavailableValuePlaceholder = unavailableValuePlaceholder.clone();
    }

    /** The connector's defaults: the default placeholder, adaptive time precision, precise decimals, bytes. */
    public static DebeziumSettings defaults() {
        return new DebeziumSettings(DEFAULT_PLACEHOLDER.getBytes(StandardCharsets.UTF_8), TimePrecisionMode.ADAPTIVE,
                DecimalHandlingMode.PRECISE, BinaryHandlingMode.BYTES);
    }

    /**
     * The settings from the connector's own configuration keys ({@code unavailable.value.placeholder},
     * {@code time.precision.mode}, {@code decimal.handling.mode}, {@code binary.handling.mode}); a key not given keeps
     * Debezium's default. Other keys are ignored, so the connector's whole configuration can be passed.
     */
    public static DebeziumSettings fromConnectorConfig(Map<String, String> config) {
        String placeholder = config.getOrDefault("unavailable.value.placeholder", DEFAULT_PLACEHOLDER);
        return new DebeziumSettings(placeholderBytes(placeholder),
                pick(TimePrecisionMode.values(), "time.precision.mode", config, TimePrecisionMode.ADAPTIVE),
                pick(DecimalHandlingMode.values(), "decimal.handling.mode", config, DecimalHandlingMode.PRECISE),
                pick(BinaryHandlingMode.values(), "binary.handling.mode", config, BinaryHandlingMode.BYTES));
    }

    public DebeziumSettings withPlaceholder(String placeholder) {
        return new DebeziumSettings(placeholderBytes(placeholder), timePrecisionMode, decimalHandlingMode, binaryHandlingMode);
    }

    public DebeziumSettings withTimePrecisionMode(TimePrecisionMode mode) {
        return new DebeziumSettings(unavailableValuePlaceholder, mode, decimalHandlingMode, binaryHandlingMode);
    }

    public DebeziumSettings withDecimalHandlingMode(DecimalHandlingMode mode) {
        return new DebeziumSettings(unavailableValuePlaceholder, timePrecisionMode, mode, binaryHandlingMode);
    }

    public DebeziumSettings withBinaryHandlingMode(BinaryHandlingMode mode) {
        return new DebeziumSettings(unavailableValuePlaceholder, timePrecisionMode, decimalHandlingMode, mode);
    }

    @Override
    public byte[] unavailableValuePlaceholder() {
        return unavailableValuePlaceholder.clone();
    }

    /** The placeholder as a text column shows it (Debezium makes it with the JVM's default charset; UTF-8 here). */
    String placeholderText() {
        return new String(unavailableValuePlaceholder, StandardCharsets.UTF_8);
    }

    /** The placeholder as a uuid[] column shows it: Debezium's name-based UUID of the placeholder's bytes. */
    String placeholderUuid() {
        return UUID.nameUUIDFromBytes(unavailableValuePlaceholder).toString();
    }

    byte[] placeholderBytes() {
        return unavailableValuePlaceholder;
    }

    // Debezium reads a placeholder starting with "hex:" as the bytes those hex digits spell
    private static byte[] placeholderBytes(String placeholder) {
        if (placeholder == null || placeholder.isEmpty()) {
            throw new DebeziumFormatException("unavailable.value.placeholder is empty: give the connector's placeholder "
                    + "(Debezium's default is " + DEFAULT_PLACEHOLDER + ")");
        }
        if (placeholder.startsWith("hex:")) {
            try {
                return HexFormat.of().parseHex(placeholder.substring(4));
            } catch (IllegalArgumentException e) {
                throw new DebeziumFormatException("unavailable.value.placeholder starts with hex: but is not hex digits: "
                        + "give an even number of hex digits after hex:, or a placeholder without the prefix");
            }
        }
        return placeholder.getBytes(StandardCharsets.UTF_8);
    }

    private static <E extends Enum<E> & ConfigValue> E pick(E[] values, String key, Map<String, String> config, E otherwise) {
        String given = config.get(key);
        if (given == null) {
            return otherwise;
        }
        for (E value : values) {
            if (value.configValue().equals(given.trim().toLowerCase(Locale.ROOT))) {
                return value;
            }
        }
        String known = Arrays.stream(values).map(ConfigValue::configValue).toList().toString();
        String why = key.equals("decimal.handling.mode") && given.trim().equalsIgnoreCase("double")
                ? " (double drops a numeric's scale, so the graph would not get the value the pgoutput path gives)" : "";
        throw new DebeziumFormatException(key + "=" + given + " is not supported" + why + ": set the connector's " + key
                + " to one of " + known);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DebeziumSettings s && Arrays.equals(unavailableValuePlaceholder, s.unavailableValuePlaceholder)
                && timePrecisionMode == s.timePrecisionMode && decimalHandlingMode == s.decimalHandlingMode
                && binaryHandlingMode == s.binaryHandlingMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(unavailableValuePlaceholder), timePrecisionMode, decimalHandlingMode, binaryHandlingMode);
    }

    @Override
    public String toString() {
        return "DebeziumSettings[placeholder=" + placeholderText() + ", time.precision.mode=" + timePrecisionMode.configValue
                + ", decimal.handling.mode=" + decimalHandlingMode.configValue + ", binary.handling.mode=" + binaryHandlingMode.configValue + "]";
    }
}
