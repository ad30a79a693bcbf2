DROP TABLE fee_invoice_lines;
DROP TABLE fee_invoices;
DROP FUNCTION larder_refuse_change();
DROP TABLE platform_fee_counter;
