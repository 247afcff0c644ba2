package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.lustre.Fid;
import java.util.Arrays;
import java.util.Objects;

/** A name in a directory: the directory's FID and the name's bytes (compared by content). */
public record NameKey(Fid parent, byte[] name) {
    public NameKey {
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NameKey k && parent.equals(k.parent) && Arrays.equals(name, k.name);
    }

    @Override
    public int hashCode() {
        return parent.hashCode() * 31 + Arrays.hashCode(name);
    }

    @Override
    public String toString() {
        return parent + "/" + new String(name, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
