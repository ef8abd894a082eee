CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), amount REAL);
INSERT INTO customers VALUES (1, 'Ada', 'Lyon'), (2, 'Grace', 'Paris'), (3, 'Alan', 'Lyon'),
	(4, 'Edsger', 'Nantes'), (5, 'Barbara', 'Paris'), (6, 'Ken', 'Lille');
INSERT INTO orders VALUES (1, 1, 10.5), (2, 1, 20.0), (3, 2, 99.0), (4, 3, 5.0), (5, 5, 42.0),
	(6, 2, 1.0), (7, 6, 30.0);
CREATE INDEX orders_customer ON orders (customer_id);
