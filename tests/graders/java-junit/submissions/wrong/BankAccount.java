public class BankAccount {
    private final String owner;
    private long balance;

    public BankAccount(String owner) {
        this.owner = owner;
    }

    public long getBalance() {
        return balance;
    }

    public void deposit(long amount) {
        balance += amount;
    }

    public void withdraw(long amount) {
        balance -= amount;
    }
}
