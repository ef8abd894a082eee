import java.io.FileWriter;
import java.io.IOException;
import org.junit.runner.JUnitCore;
import org.junit.runner.Result;
import org.junit.runner.notification.Failure;

/** Runs one JUnit 4 test class and writes Coursera's feedback.json: the share of tests
 * passed as fractionalScore, the failures as feedback. */
public class GradeRunner {
    public static void main(String[] args) throws ClassNotFoundException, IOException {
        Result r = JUnitCore.runClasses(Class.forName(args[0]));
        int run = r.getRunCount();
        int passed = run - r.getFailureCount();
        StringBuilder text = new StringBuilder(passed + " of " + run + " tests passed.");
        for (Failure f : r.getFailures())
            text.append(" FAIL ").append(f.getDescription().getMethodName()).append(": ").append(f.getMessage());
        double score = run == 0 ? 0.0 : (double) passed / run;
        String json = String.format("{\"fractionalScore\": %.4f, \"feedback\": \"%s\"}%n", score,
            text.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " "));
        try (FileWriter w = new FileWriter(args[1])) {
            w.write(json);
        }
        System.out.print(json);
    }
}
