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
        if (amount <= 0)
            throw new IllegalArgumentException("deposit must be positive");
        balance += amount;
    }

    public void withdraw(long amount) {
        if (amount > balance)
            throw new IllegalStateException("insufficient funds for " + owner);
        balance -= amount;
    }
}
