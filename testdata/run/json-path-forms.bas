' a[0].b and gjson's a.0.b reach the same value; paths also read JSON text given as a string.
ON WEBHOOK POST TO "/t" DO
  J = PARSE JSON "{""a"": [{""b"": ""first""}, {""b"": [10, 20]}]}"
  PRINT GET JSON PATH J, "a[0].b"; ","; GET JSON PATH J, "a.0.b"; ","
  PRINT GET JSON PATH J, "a[1].b[1]"; ","; GET JSON PATH J, "a.1.b.1"; ","
  PRINT GET JSON PATH "{""k"": {""v"": 7}}", "k.v"; ","
  P$ = "a[1]" & ".b"
  PRINT GET JSON PATH J, P$
END ON
