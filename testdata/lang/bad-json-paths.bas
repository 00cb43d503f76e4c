ON WEBHOOK POST TO "/a" DO
  O = PARSE JSON "{}"
  A = GET JSON PATH O, "a[0"
  B = GET JSON PATH O, "a[-1]"
  C = GET JSON PATH O, "a..b"
  D = GET JSON PATH O, ""
  E = GET JSON PATH O, "a[x].b"
END ON
