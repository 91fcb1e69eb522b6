package store

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"gorm.io/gorm/schema"
)

// Columns are the columns of a model as gorm names them (the default
// naming, as Open configures gorm), for queries that read the rows of
// several tables in one go and scan them straight into the models' fields
// (a session with its user, a value's plan, indicator and period). Going
// through the model's schema means a column added to a model is read
// without anyone listing it.
type Columns struct {
	typ   reflect.Type
	Names []string // in the model's field order
	index [][]int  // each column's field, as reflect.Value.FieldByIndex takes it
}

var columnsOf sync.Map // reflect.Type → *Columns

// ColumnsOf gives the columns of model, a pointer to a struct gorm maps
// (parsed once per type). It panics on a model gorm cannot parse: models
// are fixed at build time.
func ColumnsOf(model any) *Columns {
	t := reflect.TypeOf(model)
	if c, ok := columnsOf.Load(t); ok {
		return c.(*Columns)
	}
	s, err := schema.Parse(model, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		panic(fmt.Sprintf("store: the columns of %T: %v", model, err))
	}
	c := &Columns{typ: t}
	for _, f := range s.Fields {
		if f.DBName == "" || !f.Readable {
			continue
		}
		c.Names = append(c.Names, f.DBName)
		c.index = append(c.index, f.StructField.Index)
	}
	actual, _ := columnsOf.LoadOrStore(t, c)
	return actual.(*Columns)
}

// Select is the columns qualified by a table alias: "a.id, a.code, …".
func (c *Columns) Select(alias string) string {
	var b strings.Builder
	for i, n := range c.Names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(alias)
		b.WriteByte('.')
		b.WriteString(n)
	}
	return b.String()
}

// Fields appends to dst a pointer to each column's field of v, a pointer
// to a value of the model's type, in the order of Names: what rows.Scan
// takes.
func (c *Columns) Fields(dst []any, v any) []any {
	rv := reflect.ValueOf(v)
	if rv.Type() != c.typ {
		panic(fmt.Sprintf("store: fields of a %s for the columns of %s", rv.Type(), c.typ))
	}
	rv = rv.Elem()
	for _, idx := range c.index {
		dst = append(dst, rv.FieldByIndex(idx).Addr().Interface())
	}
	return dst
}
