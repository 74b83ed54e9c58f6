package org.aoede.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanConstructorInfo;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.openmbean.TabularDataSupport;
import javax.management.openmbean.TabularType;

/**
 * A read-only DynamicMBean whose attributes are computed from a fresh snapshot on every read.
 * One instance per export ({@code org.aoede:type=Export,name=NAME}) or interface
 * ({@code org.aoede:type=Interface,name=IF}).
 *
 * @param <T> ExportInfo or PortInfo
 */
final class StatsMBean<T> implements DynamicMBean {
    static final TabularType BY_KIND;

    static {
        try {
            CompositeType row = new CompositeType("KindCount", "a count by kind", new String[] {"kind", "count"},
                    new String[] {"kind", "count"}, new OpenType<?>[] {SimpleType.STRING, SimpleType.LONG});
            BY_KIND = new TabularType("CountsByKind", "counts by kind", row, new String[] {"kind"});
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    record Attr<T>(String name, String type, String description, Function<T, Object> value) {
    }

    private final String what;
    private final Supplier<T> snapshot;
    private final Map<String, Attr<T>> attrs = new LinkedHashMap<>();
    private final MBeanInfo info;

    StatsMBean(String className, String what, String description, Supplier<T> snapshot, List<Attr<T>> attrs) {
        this.what = what;
        this.snapshot = snapshot;
        List<MBeanAttributeInfo> infos = new ArrayList<>();
        for (Attr<T> a : attrs) {
            this.attrs.put(a.name(), a);
            infos.add(new MBeanAttributeInfo(a.name(), a.type(), a.description(), true, false, a.type().equals("boolean")));
        }
        this.info = new MBeanInfo(className, description, infos.toArray(new MBeanAttributeInfo[0]),
                new MBeanConstructorInfo[0], new MBeanOperationInfo[0], new MBeanNotificationInfo[0]);
    }

    static javax.management.openmbean.TabularData byKind(Map<String, Long> counts) {
        TabularDataSupport t = new TabularDataSupport(BY_KIND);
        if (counts != null) {
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                try {
                    t.put(new CompositeDataSupport(BY_KIND.getRowType(), new String[] {"kind", "count"},
                            new Object[] {e.getKey(), e.getValue()}));
                } catch (OpenDataException ex) {
                    throw new IllegalStateException(ex);
                }
            }
        }
        return t;
    }

    private T current() throws AttributeNotFoundException {
        T t = snapshot.get();
        if (t == null) {
            throw new AttributeNotFoundException(what + " is gone");
        }
        return t;
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Attr<T> a = attrs.get(attribute);
        if (a == null) {
            throw new AttributeNotFoundException(attribute);
        }
        return a.value().apply(current());
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        AttributeList out = new AttributeList();
        T t = snapshot.get();
        if (t == null) {
            return out;
        }
        for (String name : attributes) {
            Attr<T> a = attrs.get(name);
            if (a != null) {
                out.add(new Attribute(name, a.value().apply(t)));
            }
        }
        return out;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException(attribute.getName() + " is read-only");
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) {
        throw new UnsupportedOperationException(actionName);
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return info;
    }
}
