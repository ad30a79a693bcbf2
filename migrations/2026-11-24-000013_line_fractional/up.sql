-- Whether a line may be in fractions travels with it, so a product later switched to whole
-- units can't make an old order or invoice line invalid, and a whole-unit line can't be
-- confirmed or invoiced as "2.5 case".
ALTER TABLE order_lines ADD COLUMN fractional boolean NOT NULL DEFAULT true;
UPDATE order_lines l SET fractional = p.fractional FROM products p WHERE p.id = l.product_id;
ALTER TABLE order_lines ALTER COLUMN fractional DROP DEFAULT;

ALTER TABLE invoice_lines ADD COLUMN fractional boolean NOT NULL DEFAULT true;
UPDATE invoice_lines SET fractional = false
 WHERE kind <> 'goods' OR (quantity = trunc(quantity)
   AND lower(unit) NOT IN ('kg', 'g', 'l', 'litre', 'litres', 'ml'));
ALTER TABLE invoice_lines ALTER COLUMN fractional DROP DEFAULT;
