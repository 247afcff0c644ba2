package io.podheitor.hpc.lustre;

import io.podheitor.hpc.posix.PathText;
import java.util.Arrays;
import java.util.Objects;

/**
 * The Lustre client mount that holds a path ({@code llapi_search_mounts}).
 *
 * @param mountPoint the mount point, raw bytes
 * @param fsname the file system name (at most 8 characters in Lustre)
 */
public record LustreMount(byte[] mountPoint, String fsname) {
    public LustreMount {
        mountPoint = mountPoint.clone();
        Objects.requireNonNull(fsname, "fsname");
    }

    @Override
    public byte[] mountPoint() {
        return mountPoint.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LustreMount m && Arrays.equals(mountPoint, m.mountPoint) && fsname.equals(m.fsname);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mountPoint) + fsname.hashCode();
    }

    @Override
    public String toString() {
        return "LustreMount[" + PathText.render(mountPoint) + ", " + fsname + "]";
    }
}
