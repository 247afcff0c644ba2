package io.podheitor.hpc.backend;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.MetaBlob;
import io.podheitor.hpc.ptcomm.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Backup side of the metadata blob (docs/ptcomm.md §3.1): nanosecond atime/mtime from the walk's statx, and every
 * readable extended attribute of the entry itself (symlinks not followed), POSIX ACLs as their raw
 * {@code system.posix_acl_*} values. {@code aclsupport=no} leaves the ACLs out, {@code xattrsupport=no} the
 * other attributes. Problems reading attributes are one warning per file; the entry is still saved.
 */
final class MetadataCollector {
    static final byte[] ACL_PREFIX = "system.posix_acl_".getBytes(StandardCharsets.US_ASCII);

    private final FrameWriter out;
    private final boolean acl;
    private final boolean xattr;

    MetadataCollector(FrameWriter out, boolean acl, boolean xattr) {
        this.out = out;
        this.acl = acl;
        this.xattr = xattr;
    }

    static boolean isAcl(byte[] name) {
        if (name.length < ACL_PREFIX.length) {
            return false;
        }
        for (int i = 0; i < ACL_PREFIX.length; i++) {
            if (name[i] != ACL_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    /** The encoded blob for the entry at {@code path} (always at least the times). */
    byte[] collect(byte[] path, StatX st) throws IOException {
        List<MetaBlob.Xattr> xs = acl || xattr ? attributes(path) : List.of();
        return MetaBlob.withTimes(st.atimeSec(), st.atimeNsec(), st.mtimeSec(), st.mtimeNsec(), xs).encode();
    }

    private List<MetaBlob.Xattr> attributes(byte[] path) throws IOException {
        List<byte[]> names;
        try {
            names = Posix.listXattrs(path);
        } catch (PosixException e) {
            if (e.errno() != Errno.EOPNOTSUPP && e.errno() != Errno.ENOENT) {
                warn(path, "cannot list extended attributes", e);
            }
            return List.of();
        }
        List<MetaBlob.Xattr> xs = new ArrayList<>(names.size());
        int size = MetaBlob.baseSize(true);
        for (byte[] name : names) {
            if (isAcl(name) ? !acl : !xattr) {
                continue;
            }
            if (name.length > MetaBlob.MAX_NAME) {
                continue; // Linux limits names to 255 bytes; cannot happen
            }
            byte[] value;
            try {
                value = Posix.getXattr(path, name);
            } catch (PosixException e) {
                if (e.errno() == Errno.ENOENT) {
                    return xs;
                }
                warn(path, "cannot read extended attribute " + PathText.render(name), e);
                continue;
            }
            if (value == null) {
                continue; // removed meanwhile
            }
            MetaBlob.Xattr x = new MetaBlob.Xattr(name, value);
            if (size + x.encodedSize() > Frame.MAX_PAYLOAD) {
                out.message(Status.WARNING, "extended attributes of \"" + PathText.render(path)
                        + "\" exceed one metadata blob (" + Frame.MAX_PAYLOAD + " bytes); "
                        + PathText.render(name) + " and later ones not saved");
                break;
            }
            size += x.encodedSize();
            xs.add(x);
        }
        return xs;
    }

    private void warn(byte[] path, String what, PosixException e) throws IOException {
        out.message(Status.WARNING, what + " of \"" + PathText.render(path) + "\": " + e.strerror());
    }
}
