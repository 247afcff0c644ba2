package io.podheitor.hpc.lustre;

import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * Parses the output of {@code lfs getstripe -m -d PATH} for one path (liblustreapi.c, {@code cb_get_mdt_index}):
 * the MDT index, {@code "%d\n"} (or {@code "%#x\n"} with {@code --hex-idx}); or {@code '<path>' has no stripe
 * info} when the entry has none. With the detail format ({@code -v}) the index follows {@code mdt_index:}.
 */
public final class LfsMdtIndex {
    private LfsMdtIndex() {
    }

    /** The index printed, or empty for "has no stripe info". */
    public static OptionalInt parse(byte[] output) throws LfsFormatException {
        String text = new String(output, StandardCharsets.ISO_8859_1).strip();
        if (text.endsWith("has no stripe info")) {
            return OptionalInt.empty();
        }
        String value = text;
        int detail = text.lastIndexOf("mdt_index:");
        if (detail >= 0) {
            value = text.substring(detail + "mdt_index:".length()).strip();
        }
        if (value.isEmpty() || value.contains("\n")) {
            throw new LfsFormatException("lfs getstripe -m: expected one MDT index, got: " + text);
        }
        try {
            int index = value.startsWith("0x") ? Integer.parseInt(value.substring(2), 16) : Integer.parseInt(value);
            if (index < 0) {
                throw new NumberFormatException(value);
            }
            return OptionalInt.of(index);
        } catch (NumberFormatException e) {
            throw new LfsFormatException("lfs getstripe -m: not an MDT index: " + value);
        }
    }
}
