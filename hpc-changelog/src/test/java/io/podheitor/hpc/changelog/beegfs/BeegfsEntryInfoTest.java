package io.podheitor.hpc.changelog.beegfs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import org.junit.jupiter.api.Test;

/** The 7.x {@code beegfs-ctl --getentryinfo} formats of BeeGFS's deep-inspection documentation. */
class BeegfsEntryInfoTest {
    @Test
    void aFileWithVerboseLines() throws Exception {
        BeegfsEntryInfo i = BeegfsEntryInfo.parse("""
                Entry type: file
                EntryID: 0-5D285750-1
                Metadata node: node1.beeg.local [ID: 1]
                Stripe pattern details:
                + Type: RAID0
                + Chunksize: 512K
                + Number of storage targets: desired: 2; actual: 2
                + Storage targets:
                  + 1 @ node1.beeg.local [ID: 1]
                Chunk path: u0/0/r/root/0-5EC39809-1
                Dentry path: 38/51/root/
                """.getBytes(UTF_8));
        assertEquals(new BeegfsEntryInfo("file", "0-5D285750-1", "node1.beeg.local", 1, -1), i);
        assertFalse(i.isDirectory());
    }

    @Test
    void aDirectoryOfAMirroredMetadataGroupIsOwnedByItsCurrentPrimary() throws Exception {
        BeegfsEntryInfo i = BeegfsEntryInfo.parse("""
                Entry type: directory
                EntryID: 2-5EC39809-C9
                ParentID: root
                Metadata buddy group: 1
                Current primary metadata node: node201 [ID: 201]
                Stripe pattern details:
                + Type: Buddy Mirror
                + Chunksize: 512K
                + Number of storage targets: desired: 4
                + Storage Pool: 1 (Default)
                """.getBytes(UTF_8));
        assertEquals(new BeegfsEntryInfo("directory", "2-5EC39809-C9", "node201", 201, 1), i);
        assertTrue(i.isDirectory());
    }

    @Test
    void aNodeNameWithBlanksKeepsThem() throws Exception {
        BeegfsEntryInfo i = BeegfsEntryInfo.parse(
                "Entry type: directory\nEntryID: root\nMetadata node: meta 01 [ID: 7]\n".getBytes(UTF_8));
        assertEquals("meta 01", i.nodeName());
        assertEquals(7, i.nodeId());
    }

    @Test
    void missingOrMalformedOwnerLinesAreRefused() {
        assertThrows(ChangelogFormatException.class, () -> BeegfsEntryInfo.parse(
                "Entry type: directory\nEntryID: 1-2-3\n".getBytes(UTF_8)));
        assertThrows(ChangelogFormatException.class, () -> BeegfsEntryInfo.parse(
                "Entry type: directory\nEntryID: 1-2-3\nMetadata node: meta01\n".getBytes(UTF_8)));
        assertThrows(ChangelogFormatException.class, () -> BeegfsEntryInfo.parse(
                "Metadata node: meta01 [ID: 1]\n".getBytes(UTF_8)));
        assertThrows(ChangelogFormatException.class, () -> BeegfsEntryInfo.parse(new byte[0]));
    }
}
