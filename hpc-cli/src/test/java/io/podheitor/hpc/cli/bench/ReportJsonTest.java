package io.podheitor.hpc.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** bench walk --json, written with Jackson, keeps the shape (and the bytes) of the hand-written writer before it. */
class ReportJsonTest {
    private static Report report() {
        Map<String, List<Tool.Result>> results = new LinkedHashMap<>();
        results.put("walker-t2", List.of(new Tool.Result(3, 0.5, 0, ""), new Tool.Result(3, 0.25, 0, "")));
        results.put("find", List.of(new Tool.Result(3, 1.0, 0, ""), new Tool.Result(3, 1.0, 0, "")));
        Report r = new Report("/t\"x\\y\n", 2, 2, results);
        r.sweep = List.of(new double[] {1, 1234.5678}, new double[] {2, 2000.0005});
        r.svg = "s.svg";
        return r;
    }

    @Test
    void theSameTextAsTheHandWrittenWriter() {
        // what the hand-written writer (bench/Json.java, replaced) printed for this report, byte for byte
        String before = "{\"path\":\"/t\\\"x\\\\y\\n\",\"tree_entries\":3,\"runs\":2,\"walker\":\"walker-t2\",\"tools\":{"
                + "\"walker-t2\":{\"median_seconds\":0.375,\"median_entries_per_s\":8.000,\"walker_ratio\":1.000,"
                + "\"lines\":3,\"seconds\":[0.500,0.250]},"
                + "\"find\":{\"median_seconds\":1.000,\"median_entries_per_s\":3.000,\"walker_ratio\":2.667,"
                + "\"lines\":3,\"seconds\":[1.000,1.000]}},"
                + "\"sweep\":[{\"threads\":1,\"entries_per_s\":1234.568},{\"threads\":2,\"entries_per_s\":2000.001}],"
                + "\"svg\":\"s.svg\"}\n";
        assertEquals(before, report().json());
    }

    @Test
    void parsesBackWithTheFieldsScriptsRead() throws Exception {
        JsonNode j = new ObjectMapper().readTree(report().json());
        assertEquals("/t\"x\\y\n", j.get("path").asText());
        assertEquals(8.0, j.at("/tools/walker-t2/median_entries_per_s").asDouble());
        assertEquals(2, j.at("/tools/find/seconds").size());
        assertEquals(2, j.get("sweep").get(1).get("threads").asInt());
    }

    @Test
    void notANumberIsNullAndNumbersKeepThreeDecimals() {
        assertTrue(Report.num(Double.NaN).isNull());
        assertTrue(Report.num(Double.POSITIVE_INFINITY).isNull());
        assertEquals("0.001", Report.num(0.0005).decimalValue().toPlainString());
        assertEquals("1000000.000", Report.num(1e6).decimalValue().toPlainString());
    }
}
