package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.posix.Xattrs;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.MetaBlob;
import io.podheitor.hpc.ptcomm.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Backup side of the metadata blob (docs/ptcomm.md §3.1): nanosecond atime/mtime from the walk's statx, and every
 * readable extended attribute of the entry itself (symlinks not followed), POSIX ACLs as their raw
 * {@code system.posix_acl_*} values. {@code aclsupport=no} leaves the ACLs out, {@code xattrsupport=no} the
 * other attributes. Problems reading attributes are one warning per file; the entry is still saved.
 */
final class MetadataCollector {
    private final FrameWriter out;
    private final boolean acl;
    private final boolean xattr;

    private final BackupRoot root;

    /** @param root where attributes not read ahead are read from (below its descriptor), or null: by path */
    MetadataCollector(FrameWriter out, boolean acl, boolean xattr, BackupRoot root) {
        this.out = out;
        this.acl = acl;
        this.xattr = xattr;
        this.root = root;
    }


    /** Which attributes the walker should read ahead for this collector. */
    Xattrs.Scope scope() {
        return Xattrs.Scope.of(acl, xattr);
    }

    /**
     * The encoded blob for the entry at {@code path} (always at least the times), from the attributes a walker
     * thread read ahead ({@code ahead}, read with this {@link #scope()}: PluginParams.backupWalkOptions), or read
     * here when it is null.
     */
    byte[] collect(byte[] path, StatX st, Xattrs.Read ahead) throws IOException {
        List<MetaBlob.Xattr> xs = acl || xattr ? attributes(path, ahead != null ? ahead : readNow(path)) : List.of();
        return MetaBlob.withTimes(st.atimeSec(), st.atimeNsec(), st.mtimeSec(), st.mtimeNsec(), xs).encode();
    }

    private Xattrs.Read readNow(byte[] path) {
        return root != null ? root.readXattrs(path, scope()) : Xattrs.read(path, scope());
    }

    private List<MetaBlob.Xattr> attributes(byte[] path, Xattrs.Read read) throws IOException {
        for (Xattrs.Failure f : read.failures()) {
            warn(path, f.name() == null ? "cannot list extended attributes"
                    : "cannot read extended attribute " + PathText.render(f.name()), f.error());
        }
        List<MetaBlob.Xattr> xs = new ArrayList<>(read.attrs().size());
        int size = MetaBlob.baseSize(true);
        for (Xattrs.Attr a : read.attrs()) {
            byte[] name = a.name();
            if (name.length > MetaBlob.MAX_NAME) {
                continue; // Linux limits names to 255 bytes; cannot happen
            }
            MetaBlob.Xattr x = new MetaBlob.Xattr(name, a.value());
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
