DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP TABLE provider_invoice_counters;
