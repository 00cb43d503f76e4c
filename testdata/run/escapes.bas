' XML ESCAPE escapes & < > " '; URL ENCODE is query escaping; JSON ENCODE gives JSON text.
ON WEBHOOK POST TO "/t" DO
  PRINT XML ESCAPE("a & b < c > d ""e"" 'f'"); "|"
  PRINT URL ENCODE("a b&c=d/é~-_.*!"); "|"
  PRINT JSON ENCODE("say ""hi""" & "\n" & "ç"); "|"; JSON ENCODE(3.5); "|"; JSON ENCODE(1 = 1); "|"
  PRINT JSON ENCODE(PARSE JSON "{ ""a"" : [ 1 , 2 ] }")
END ON
