' Keys are always literal: @, #, *, ? and | never act as gjson modifiers, wildcards or queries.
ON WEBHOOK POST TO "/t" DO
  J = PARSE JSON "{""@this"": ""at"", ""#"": ""hash"", ""a*"": ""star"", ""q?"": ""query"", ""p|q"": ""pipe"", ""arr"": [1, 2, 3], ""ab"": ""no""}"
  PRINT GET JSON PATH J, "@this"; ","; GET JSON PATH J, "#"; ","; GET JSON PATH J, "a*"; ","
  PRINT GET JSON PATH J, "q?"; ","; GET JSON PATH J, "p|q"; ","
  PRINT "["; GET JSON PATH J, "arr.#"; "]["; GET JSON PATH J, "a?"; "]["; GET JSON PATH J, "@reverse"; "]"
END ON
