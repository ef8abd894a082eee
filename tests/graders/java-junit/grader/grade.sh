#!/bin/sh
# Compiles the learner's BankAccount.java with the tests into /tmp and runs them with
# GradeRunner, which writes /shared/feedback.json. Exits 0 once graded.
set -u
cp=/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar
out=$(mktemp -d)
if [ ! -f /shared/submission/BankAccount.java ]; then
	echo '{"fractionalScore": 0.0, "feedback": "Your submission has no BankAccount.java."}' >/shared/feedback.json
	exit 0
fi
if ! javac -d "$out" -cp "$cp" /shared/submission/BankAccount.java BankAccountTest.java GradeRunner.java; then
	echo '{"fractionalScore": 0.0, "feedback": "BankAccount.java does not compile."}' >/shared/feedback.json
	exit 0
fi
exec java -cp "$out:$cp" GradeRunner BankAccountTest /shared/feedback.json
