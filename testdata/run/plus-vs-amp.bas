' + adds numbers and concatenates when either side is a string; & always concatenates.
ON WEBHOOK POST TO "/t" DO
  PRINT 1 + 2; " "; "1" + 2; " "; 1 + "2"; " "; 1 & 2; " "; "a" & "b"; " "; 10 - 4 - 3; " "; 2 ^ 3 ^ 2; " "; 7 MOD 3; " "; -2 ^ 2
END ON
