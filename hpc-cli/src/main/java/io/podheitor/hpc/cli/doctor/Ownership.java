package io.podheitor.hpc.cli.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Who could change a file the FD loads or runs as root: the file and every directory above it, as the shim checks a
 * backend before it runs it (shim-c/backend.c {@code bk_check_trusted}, docs/security.md): owned by root and not
 * group- or other-writable, a symbolic link on the way resolved and the real path checked the same way.
 */
final class Ownership {
    private Ownership() {
    }

    /**
     * Null when PATH and all directories above it (as given and, if a symlink is on the way, as resolved) are
     * root's and writable by no one else; else why not, naming the first offending path. With stickyParentsOk, a
     * directory above PATH that is other-writable with the sticky bit (/tmp) is accepted: nobody else can rename
     * or remove root's entries in it (right for a plugin directory; the shim never accepts it for a backend).
     */
    static String problem(Path path, boolean stickyParentsOk) {
        Path abs = path.toAbsolutePath().normalize();
        boolean[] sawLink = {false};
        String why = chain(abs, stickyParentsOk, sawLink);
        if (why != null || !sawLink[0]) {
            return why;
        }
        try {
            return chain(abs.toRealPath(), stickyParentsOk, new boolean[1]);
        } catch (IOException e) {
            return abs + " cannot be resolved (" + e.getMessage() + ")";
        }
    }

    private static String chain(Path abs, boolean stickyParentsOk, boolean[] sawLink) {
        List<Path> prefixes = new ArrayList<>();
        for (Path p = abs; p != null; p = p.getParent()) {
            prefixes.add(p);
        }
        for (Path p : prefixes.reversed()) {
            int uid;
            int mode;
            boolean link = Files.isSymbolicLink(p);
            try {
                uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException | UnsupportedOperationException e) {
                return p + " cannot be examined (" + e.getMessage() + ")";
            }
            if (uid != 0) {
                return p + " is owned by uid " + uid + ", not by root";
            }
            if (link) {
                sawLink[0] = true;
                continue;
            }
            boolean self = p.equals(abs);
            boolean sticky = (mode & 01000) != 0;
            if ((mode & 022) != 0 && !(stickyParentsOk && !self && sticky)) {
                return p + " is " + ((mode & 020) != 0 ? "group" : "other") + "-writable (mode "
                        + String.format("%04o", mode & 07777) + ")";
            }
        }
        return null;
    }
}
