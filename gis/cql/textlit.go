package cql

import "strconv"

// The typed literals of cql2-text: DATE, TIMESTAMP, INTERVAL and BBOX.

func (p *textParser) instant(word string) (Expr, error) {
	p.next()
	p.next()
	s := p.next()
	if s.kind != tokString {
		return nil, p.errAt(s, "expected a quoted string in %s(...), found %s", word, s.describe())
	}
	if err := p.expectOp(")", "after the "+word+" string"); err != nil {
		return nil, err
	}
	if word == "DATE" {
		if d, ok := parseDay(s.text); ok {
			return Date{d}, nil
		}
		return nil, p.errAt(s, "DATE needs YYYY-MM-DD, not %s", quote(s.text))
	}
	if ts, ok := parseInstant(s.text); ok {
		return Timestamp{ts}, nil
	}
	return nil, p.errAt(s, "TIMESTAMP needs an RFC 3339 date-time with a zone such as 2024-05-01T09:30:00Z, not %s", quote(s.text))
}

func (p *textParser) interval() (Expr, error) {
	p.next()
	p.next()
	var ends [2]Expr
	for i := range ends {
		t := p.peek()
		if t.kind == tokString {
			p.next()
			e, err := intervalEnd(t.text)
			if err != nil {
				return nil, &Error{Pos: t.pos, Msg: err.(*Error).Msg}
			}
			ends[i] = e
		} else {
			e, err := p.operand("in INTERVAL")
			if err != nil {
				return nil, err
			}
			ends[i] = e
		}
		sep := ","
		if i == 1 {
			sep = ")"
		}
		if err := p.expectOp(sep, "in INTERVAL(start, end)"); err != nil {
			return nil, err
		}
	}
	return Interval{ends[0], ends[1]}, nil
}

// bbox reads BBOX(x1, y1, x2, y2) or BBOX(x1, y1, z1, x2, y2, z2) and the
// legacy BBOX(property, x1, y1, x2, y2 [, 'crs']).
func (p *textParser) bbox() (Expr, error) {
	p.next()
	p.next()
	var prop Expr
	if t := p.peek(); t.kind == tokIdent || t.kind == tokQuoted {
		p.next()
		prop = Property{t.text}
		if err := p.expectOp(",", "after the property in BBOX(property, x1, y1, x2, y2)"); err != nil {
			return nil, err
		}
	}
	start := p.peek()
	var nums []float64
	crs := ""
	for {
		if t := p.peek(); prop != nil && t.kind == tokString && len(nums) == 4 {
			p.next()
			crs = t.text
		} else {
			n, err := p.signedNumber("in BBOX")
			if err != nil {
				return nil, err
			}
			nums = append(nums, n)
		}
		if t := p.next(); isOp(t, ")") {
			break
		} else if !isOp(t, ",") {
			return nil, p.errAt(t, "expected ',' or ')' in BBOX, found %s", t.describe())
		}
	}
	if prop != nil && len(nums) != 4 {
		return nil, p.errAt(start, "BBOX(property, x1, y1, x2, y2) needs 4 numbers, not %d", len(nums))
	}
	g, err := bboxGeometry(nums)
	if err != nil {
		return nil, &Error{Pos: start.pos, Msg: err.(*Error).Msg}
	}
	if prop != nil {
		return Call{"s_intersects", []Expr{prop, Geometry{g, crs}}}, nil
	}
	return Geometry{G: g}, nil
}

func (p *textParser) signedNumber(context string) (float64, error) {
	sign := 1.0
	if t := p.peek(); isOp(t, "-", "+") {
		p.next()
		if t.text == "-" {
			sign = -1
		}
	}
	t := p.next()
	if t.kind != tokNumber {
		return 0, p.errAt(t, "expected a number %s, found %s", context, t.describe())
	}
	v, _ := strconv.ParseFloat(t.text, 64)
	return sign * v, nil
}
